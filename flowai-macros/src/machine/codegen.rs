//! Stage 4: the generated items. Types (typestate struct, state enum, marker module) are
//! emitted at the call site; every impl sits in one `const _: () = { ... };` and names the
//! engine through `::flowai::__private`.

use super::ir::{Edge, Machine};
use crate::case::snake;
use crate::kw::RESERVED_METHODS;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

pub(crate) fn generate(m: &Machine) -> TokenStream {
    let decl = m.decl;
    let (attrs, vis, name) = (&decl.attrs, &decl.vis, &decl.name);
    let names = Names::of(name);
    let (state_enum, module) = (&names.state_enum, &names.module);
    let name_str = name.to_string();
    let idents: Vec<&Ident> = m.states.iter().map(|s| s.ident).collect();
    let wires: Vec<&str> = m.states.iter().map(|s| s.wire.as_str()).collect();
    let initial = idents[m.initial];
    let initial_wire = wires[m.initial];
    let terminal: Vec<&Ident> = m.terminal.iter().map(|&i| idents[i]).collect();
    let is_terminal: Vec<bool> = (0..idents.len()).map(|i| m.terminal.contains(&i)).collect();
    let table = m.edges.iter().map(|e| {
        let (from, to, method) = (idents[e.from], idents[e.to], e.decl.method.to_string());
        quote!((Self::#from, Self::#to, #method))
    });
    let variant_docs = wires.iter().map(|w| format!("`{w}`"));
    let marker_docs = wires
        .iter()
        .map(|w| format!("Marker of the `{w}` state of [`{name_str}`](super::{name_str})."));
    let enum_doc = format!(
        "The states of [`{name_str}`] as run-time values, checked against its transition table."
    );
    let module_doc = format!("State marker types of `{name_str}`: one zero-sized type per state.");
    let struct_doc = format!(
        "\n\nA `{name_str}<S, T>` holds a `T` in state `S` (a marker of [`{module}`]); each \
         declared transition is a method that consumes it and returns it in the next state. \
         It is deliberately not `Clone`: a value passes each transition once."
    );
    let new_doc =
        format!("Starts a `{name_str}` in its initial state `{initial_wire}`, holding `value`.");
    let edges = edge_impls(m, &names, &idents);
    let p = quote!(::flowai::__private);

    quote! {
        #(#attrs)*
        #[doc = #struct_doc]
        #[must_use = "a typestate value is consumed by its transitions"]
        #vis struct #name<S, T = ()> {
            value: T,
            state: #p::PhantomData<fn() -> S>,
        }

        #[doc = #enum_doc]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        #vis enum #state_enum {
            #( #[doc = #variant_docs] #idents, )*
        }

        #[doc = #module_doc]
        #vis mod #module {
            #( #[doc = #marker_docs] #[derive(Debug)] pub enum #idents {} )*
        }

        const _: () = {
            impl #state_enum {
                /// Every state, in declaration order.
                pub const ALL: &'static [Self] = &[#(Self::#idents),*];
                /// The initial state.
                pub const INITIAL: Self = Self::#initial;

                /// The snake_case name of the state.
                pub const fn as_str(self) -> &'static str {
                    match self { #(Self::#idents => #wires,)* }
                }

                /// Whether the state is terminal (no transition leaves it).
                pub const fn is_terminal(self) -> bool {
                    match self { #(Self::#idents => #is_terminal,)* }
                }

                /// Checks `self -> to` against the transition table and returns `to`.
                ///
                /// # Errors
                /// `TransitionError` when the transition is not declared.
                pub fn transition(self, to: Self) -> #p::Result<Self, #p::TransitionError> {
                    <Self as #p::Machine>::check(self, to)
                }
            }

            #[automatically_derived]
            impl #p::Machine for #state_enum {
                const NAME: &'static str = #name_str;
                const STATES: &'static [Self] = Self::ALL;
                const INITIAL: Self = Self::#initial;
                const TERMINAL: &'static [Self] = &[#(Self::#terminal),*];
                const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[#(#table),*];

                fn as_str(self) -> &'static str {
                    #state_enum::as_str(self)
                }
            }

            #[automatically_derived]
            impl #p::fmt::Display for #state_enum {
                fn fmt(&self, f: &mut #p::fmt::Formatter<'_>) -> #p::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            #[automatically_derived]
            impl #p::FromStr for #state_enum {
                type Err = #p::UnknownState;
                fn from_str(s: &str) -> #p::Result<Self, Self::Err> {
                    <Self as #p::Machine>::parse_state(s)
                }
            }

            #[automatically_derived]
            impl #p::serde::Serialize for #state_enum {
                fn serialize<S: #p::serde::Serializer>(&self, s: S) -> #p::Result<S::Ok, S::Error> {
                    #p::serialize_state(*self, s)
                }
            }

            #[automatically_derived]
            impl<'de> #p::serde::Deserialize<'de> for #state_enum {
                fn deserialize<D: #p::serde::Deserializer<'de>>(d: D) -> #p::Result<Self, D::Error> {
                    #p::deserialize_state(d)
                }
            }

            #(
                #[automatically_derived]
                impl #p::State for #module::#idents {
                    type Machine = #state_enum;
                    const STATE: #state_enum = #state_enum::#idents;
                }
            )*

            impl<T> #name<#module::#initial, T> {
                #[doc = #new_doc]
                pub fn new(value: T) -> Self {
                    #name { value, state: #p::PhantomData }
                }
            }

            impl<S, T> #name<S, T> {
                /// The value held.
                pub fn value(&self) -> &T {
                    &self.value
                }

                /// The value held, mutably; the state cannot change through it.
                pub fn value_mut(&mut self) -> &mut T {
                    &mut self.value
                }

                /// Leaves the typestate and returns the value.
                pub fn into_inner(self) -> T {
                    self.value
                }

                /// Maps the value held, keeping the state.
                pub fn map<U>(self, f: impl FnOnce(T) -> U) -> #name<S, U> {
                    #name { value: f(self.value), state: #p::PhantomData }
                }
            }

            impl<S: #p::State<Machine = #state_enum>, T> #name<S, T> {
                /// The current state as a run-time value.
                pub fn state(&self) -> #state_enum {
                    S::STATE
                }
            }

            #[automatically_derived]
            impl<S: #p::State<Machine = #state_enum>, T: #p::fmt::Debug> #p::fmt::Debug for #name<S, T> {
                fn fmt(&self, f: &mut #p::fmt::Formatter<'_>) -> #p::fmt::Result {
                    f.debug_struct(#name_str)
                        .field("state", &S::STATE)
                        .field("value", &self.value)
                        .finish()
                }
            }

            #edges
        };
    }
}

/// Names derived from the machine's name.
pub(crate) struct Names {
    /// `PlanLifecycleState`
    pub(crate) state_enum: Ident,
    /// `plan_lifecycle`
    pub(crate) module: Ident,
}

impl Names {
    pub(crate) fn of(name: &Ident) -> Self {
        Names {
            state_enum: format_ident!("{}State", name),
            module: format_ident!("{}", snake(&name.to_string())),
        }
    }
}

/// One inherent impl per source state, with one method per edge leaving it.
fn edge_impls(m: &Machine, names: &Names, idents: &[&Ident]) -> TokenStream {
    let name = &m.decl.name;
    let module = &names.module;
    let p = quote!(::flowai::__private);
    let mut out = TokenStream::new();
    for (from, from_ident) in idents.iter().enumerate() {
        // An edge whose method would clash (a repeated or reserved name) is reported by the
        // checks and left out here, so the user sees that error and no duplicate definition.
        let mut leaving: Vec<&Edge> = Vec::new();
        for e in m.edges.iter().filter(|e| e.from == from) {
            let method = &e.decl.method;
            let clashes = leaving.iter().any(|l| l.decl.method == *method)
                || RESERVED_METHODS.iter().any(|r| method == r);
            if !clashes {
                leaving.push(e);
            }
        }
        if leaving.is_empty() {
            continue;
        }
        let methods = leaving.iter().map(|e| {
            let to = idents[e.to];
            let method = &e.decl.method;
            let arg_names: Vec<&Ident> = e.decl.args.iter().map(|a| &a.name).collect();
            let arg_types = e.decl.args.iter().map(|a| &a.ty);
            let docs = edge_docs(m, e);
            quote! {
                #(#docs)*
                pub fn #method(self, #(#arg_names: #arg_types),*) -> #name<#module::#to, T> {
                    let _ = (#(#arg_names,)*);
                    #name { value: self.value, state: #p::PhantomData }
                }
            }
        });
        out.extend(quote! {
            impl<T> #name<#module::#from_ident, T> {
                #(#methods)*
            }
        });
    }
    out
}

/// The user's docs on the edge, else a generated sentence.
fn edge_docs(m: &Machine, e: &Edge) -> Vec<TokenStream> {
    let user = crate::attr::docs(&e.decl.attrs);
    if !user.is_empty() {
        return user.into_iter().map(|a| quote!(#a)).collect();
    }
    let (from, to) = (&m.states[e.from].wire, &m.states[e.to].wire);
    let mut text = format!("Moves from `{from}` to `{to}`.");
    if !e.decl.args.is_empty() {
        let names: Vec<String> = e
            .decl
            .args
            .iter()
            .map(|a| format!("`{}`", a.name))
            .collect();
        text.push_str(&format!(
            " Consumes the evidence {}: the transition cannot be written without it.",
            names.join(", ")
        ));
    }
    vec![quote!(#[doc = #text])]
}
