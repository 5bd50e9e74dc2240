//! `state_machine!`: parse -> resolve -> check -> generate. Generation runs even when a
//! check failed (on what did resolve), so the user sees the declared types and one error
//! per mistake rather than a cascade of "cannot find type".

mod check;
mod codegen;
mod ir;
mod parse;

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let decl: parse::Decl = syn::parse2(input)?;
    let cx = Ctxt::new();
    let Some(machine) = ir::Machine::resolve(&cx, &decl) else {
        return Err(cx.check().expect_err("resolve fails only with an error"));
    };
    check::check(&cx, &machine);
    let mut out = codegen::generate(&machine);
    out.extend(cx.into_compile_errors());
    Ok(out)
}
