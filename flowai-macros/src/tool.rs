//! `#[derive(Tool)]` (an argument struct becomes a `ToolArgs`: name, description, schema,
//! approval) and `#[tool]` (an `async fn` becomes a `TypedTool` unit struct).

mod codegen;
mod parse;

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::{DeriveInput, ItemFn};

/// `#[derive(Tool)]`.
pub(crate) fn expand_derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let args = parse::ToolArgs::from_ast(&cx, input);
    let mut out = codegen::tool_args(&args);
    out.extend(cx.into_compile_errors());
    Ok(out)
}

/// `#[tool]` on an `async fn`.
pub(crate) fn expand_fn(attr: TokenStream, func: &ItemFn) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let tool = parse::ToolFn::from_ast(&cx, attr, func);
    // Beside an error, the function and a handle that never calls it: one error, no cascade.
    let mut out = match &tool {
        Some(tool) => codegen::typed_tool(tool, !cx.has_errors()),
        None => quote::quote!(#func),
    };
    out.extend(cx.into_compile_errors());
    Ok(out)
}
