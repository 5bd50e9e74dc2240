//! `#[derive(Agent)]`: parse the `#[flowai(...)]` keys -> check the role rules -> generate
//! the `Agent` impl (or, when a rule failed, a dummy impl beside the errors, so agents
//! routing to this one do not also fail).

mod check;
mod codegen;
mod parse;

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::DeriveInput;

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let attrs = parse::Attrs::from_ast(&cx, input);
    let agent = check::check(&cx, input, &attrs);
    let mut out = match agent {
        Some(agent) if !cx.has_errors() => codegen::agent(input, &attrs, &agent),
        _ => codegen::dummy(input, &attrs),
    };
    out.extend(cx.into_compile_errors());
    Ok(out)
}
