//! Code generation of `ToolArgs` impls and `TypedTool` unit structs.

use super::parse::{Approval, ToolArgs, ToolFn};
use crate::attr::rule_tokens;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

pub(crate) fn tool_args(args: &ToolArgs) -> TokenStream {
    let p = quote!(::flowai::__private);
    let input = args.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (name, description, idempotent) = (&args.name, &args.description, args.idempotent);
    let approval = match &args.approval {
        Approval::Rule(rule) => {
            let rule = rule_tokens(*rule);
            quote! {
                fn approval() -> #p::ApprovalRule {
                    #rule
                }
            }
        }
        Approval::Predicate(path, id) => quote! {
            fn approval() -> #p::ApprovalRule {
                #p::ApprovalRule::Dynamic { value: #p::String::from(#id) }
            }

            fn approval_predicate() -> #p::Option<#p::ApprovalPredicate> {
                #p::Option::Some(#p::ApprovalPredicate::new(#id, |args| {
                    #p::check_predicate::<Self>(args, #path)
                }))
            }
        },
    };
    // Spanned at the type name, so a missing `Deserialize`/`JsonSchema` is reported there.
    let impl_head = quote_spanned! {ident.span()=>
        impl #impl_generics #p::ToolArgs for #ident #ty_generics #where_clause
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            #impl_head {
                const NAME: &'static str = #name;
                const DESCRIPTION: &'static str = #description;
                const IDEMPOTENT: bool = #idempotent;
                #approval
            }
        };
    }
}

pub(crate) fn typed_tool(tool: &ToolFn, valid: bool) -> TokenStream {
    let p = quote!(::flowai::__private);
    let func = tool.func;
    let (vis, fn_ident, type_name) = (&func.vis, &func.sig.ident, &tool.type_name);
    let args_ty = tool.args_ty;
    let doc = format!(
        "The typed tool of [`{fn_ident}`]: its definition comes from the argument struct \
         and calls run the function."
    );
    let call = if tool.takes_context {
        quote!(#fn_ident(args, ctx).await)
    } else {
        quote!({
            let _ = ctx;
            #fn_ident(args).await
        })
    };
    // Spanned at the return type, so "`X` is not a tool result" points at it.
    let output = tool.output;
    let encode = quote_spanned! {tool.output_span()=>
        <#output as #p::ToolResult>::into_json(result)
    };
    let body = if valid {
        quote! {
            #p::Box::pin(async move {
                let args = #p::decode_args::<Self>(args)?;
                let result = #call;
                #encode
            })
        }
    } else {
        quote! {
            let _ = (args, ctx);
            ::core::unreachable!("this tool failed to expand")
        }
    };
    quote! {
        #func

        #[doc = #doc]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #type_name;

        const _: () = {
            #[automatically_derived]
            impl #p::TypedTool for #type_name {
                type Args = #args_ty;

                fn call(
                    args: #p::serde_json::Value,
                    ctx: #p::CallContext,
                ) -> #p::ToolFuture {
                    #body
                }
            }
        };
    }
}
