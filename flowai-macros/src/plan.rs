//! `#[derive(Action)]` (a `#[serde(tag = "kind")]` enum of plan actions) and
//! `#[derive(Plan)]` (a plan body with an `actions: Vec<A>` field).

mod codegen;
mod parse;

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::DeriveInput;

/// `#[derive(Action)]`.
pub(crate) fn expand_action(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let action = parse::Action::from_ast(&cx, input);
    let mut out = match &action {
        Some(action) => codegen::action(action),
        None => TokenStream::new(),
    };
    out.extend(cx.into_compile_errors());
    Ok(out)
}

/// `#[derive(Plan)]`.
pub(crate) fn expand_plan(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let plan = parse::Plan::from_ast(&cx, input);
    let mut out = match &plan {
        Some(plan) => codegen::plan(plan),
        None => TokenStream::new(),
    };
    out.extend(cx.into_compile_errors());
    Ok(out)
}
