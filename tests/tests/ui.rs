//! The trybuild suite: what must compile (`ui/pass`) and, as the macros land, what must not
//! (`ui/<macro>/fail`, each with its `.stderr`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
}
