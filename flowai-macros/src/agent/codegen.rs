//! Stage 3: the `Agent` impl. Route, tool and plan types are named at their own spans, so
//! "`X` is not an agent" (the trait's `on_unimplemented`) points at `X` in the attribute.

use super::check::{agent_name, Agent, Role};
use super::parse::Attrs;
use crate::attr::{rule_tokens, Rule};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

pub(crate) fn agent(input: &DeriveInput, a: &Attrs, agent: &Agent) -> TokenStream {
    let p = quote!(::flowai::__private);
    let name = &agent.name;
    let role = role_tokens(agent.role);
    let stateful = option(a.stateful.get().map(|b| quote!(#b)));
    let model = a
        .model
        .get()
        .map(|e| quote_spanned!(e.span()=> #p::String::from(#e)));
    let prompt = a
        .prompt
        .get()
        .map(|e| quote_spanned!(e.span()=> #p::IntoPrompt::into_prompt(#e)));
    let provider = option(
        a.provider
            .get()
            .map(|e| quote_spanned!(e.span()=> #p::String::from(#e))),
    );
    let max_turns = option(agent.max_turns.map(|n| quote!(#n)));
    let routes = a
        .routes
        .get()
        .into_iter()
        .flatten()
        .map(|r| quote_spanned!(r.span()=> <#r as #p::Agent>::NAME));
    let toolkits = a.toolkits.get().into_iter().flatten();
    let tools = a
        .tools
        .get()
        .into_iter()
        .flatten()
        .map(|t| quote_spanned!(t.span()=> #p::ToolRef::of::<#t>()));
    let plan = a.plan.get().map(|plan| {
        let spec = quote_spanned!(plan.span()=> <#plan as #p::Plan>::plan_spec());
        quote! {
            fn plan() -> #p::Option<#p::PlanSpec> {
                #p::Option::Some(#spec)
            }
        }
    });
    let approval = a.approval.get().map(|channels| {
        let (plans, tools) = (channel(channels.plans), channel(channels.tools));
        quote! {
            fn approval() -> #p::Option<#p::ApprovalPolicyPatch> {
                #p::Option::Some(#p::approval_patch(#plans, #tools))
            }
        }
    });
    let tool_approvals = a.tool_approvals.get().map(|rules| {
        let names = rules.iter().map(|(ident, _)| ident.to_string());
        let rules = rules.iter().map(|(_, rule)| rule_tokens(*rule));
        quote! {
            fn tool_approvals() -> #p::BTreeMap<#p::String, #p::ApprovalRule> {
                #p::BTreeMap::from([#((#p::String::from(#names), #rules)),*])
            }
        }
    });
    let body = quote! {
        const NAME: &'static str = #name;
        const ROLE: #p::Role = #role;
        const TOOLS: &'static [#p::ToolRef] = &[#(#tools),*];

        fn agent_spec() -> #p::AgentSpec {
            #p::AgentParts {
                name: Self::NAME,
                role: Self::ROLE,
                stateful: #stateful,
                model: #model,
                provider: #provider,
                prompt: #prompt,
                routes: #p::Vec::from([#(#routes),*]),
                toolkits: #p::Vec::from([#(#toolkits),*]),
                max_turns: #max_turns,
            }
            .build()
        }

        #plan
        #approval
        #tool_approvals
    };
    wrap(input, body)
}

/// Beside an error: an impl with the right name and role whose spec is never built, so
/// the only errors the user sees are the ones reported.
pub(crate) fn dummy(input: &DeriveInput, a: &Attrs) -> TokenStream {
    let p = quote!(::flowai::__private);
    let name = agent_name(input, a);
    let role = a
        .role
        .get()
        .and_then(|r| match r.value().as_str() {
            "coordinator" => Some(Role::Coordinator),
            "planner" => Some(Role::Planner),
            "executor" => Some(Role::Executor),
            _ => None,
        })
        .unwrap_or(Role::Specialist);
    let role = role_tokens(role);
    wrap(
        input,
        quote! {
            const NAME: &'static str = #name;
            const ROLE: #p::Role = #role;

            fn agent_spec() -> #p::AgentSpec {
                ::core::unreachable!("this agent failed to derive")
            }
        },
    )
}

fn wrap(input: &DeriveInput, body: TokenStream) -> TokenStream {
    let p = quote!(::flowai::__private);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #p::Agent for #ident #ty_generics #where_clause {
                #body
            }
        };
    }
}

fn role_tokens(role: Role) -> TokenStream {
    let variant = format_ident!("{}", crate::case::pascal(role.as_str()));
    quote!(::flowai::__private::Role::#variant)
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::flowai::__private::Option::Some(#v)),
        None => quote!(::flowai::__private::Option::None),
    }
}

/// A channel of the patch; `"default"` is left out (inherit).
fn channel(rule: Option<Rule>) -> TokenStream {
    option(rule.filter(|r| *r != Rule::Default).map(rule_tokens))
}
