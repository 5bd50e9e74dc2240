//! Code generation of `Action` and `Plan` impls.

use super::parse::{Action, Plan};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

pub(crate) fn action(action: &Action) -> TokenStream {
    let p = quote!(::flowai::__private);
    let input = action.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let kinds: Vec<&str> = action.variants.iter().map(|(_, k)| k.as_str()).collect();
    let variants = action.variants.iter().map(|(v, _)| &v.ident);
    let impl_head = quote_spanned! {ident.span()=>
        impl #impl_generics #p::Action for #ident #ty_generics #where_clause
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            #impl_head {
                const KINDS: &'static [&'static str] = &[#(#kinds),*];

                fn kind(&self) -> &'static str {
                    match *self {
                        #(Self::#variants { .. } => #kinds,)*
                    }
                }
            }
        };
    }
}

pub(crate) fn plan(plan: &Plan) -> TokenStream {
    let p = quote!(::flowai::__private);
    let input = plan.input;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (name, field) = (&plan.name, plan.actions_field);
    // Spanned at `A`, so "`A` is not a plan action" points at the field's item type.
    let action = plan.action;
    let action_ty = quote_spanned!(action.span()=> #action);
    let aliases = (!plan.aliases.is_empty()).then(|| {
        let (statuses, texts): (Vec<&String>, Vec<&String>) =
            plan.aliases.iter().map(|(s, t)| (s, t)).unzip();
        quote! {
            fn display_aliases() -> #p::Vec<#p::PlanDisplayAlias> {
                #p::Vec::from([#(#p::PlanDisplayAlias {
                    status: #p::String::from(#statuses),
                    alias: #p::String::from(#texts),
                }),*])
            }
        }
    });
    let impl_head = quote_spanned! {ident.span()=>
        impl #impl_generics #p::Plan for #ident #ty_generics #where_clause
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            #impl_head {
                type Action = #action_ty;
                const NAME: &'static str = #name;

                fn actions(&self) -> &[Self::Action] {
                    &self.#field
                }

                #aliases
            }
        };
    }
}
