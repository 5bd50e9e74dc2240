//! The trybuild suite: what must compile (`ui/pass`, `ui/<macro>/pass`) and what must not
//! (`ui/<macro>/fail`, each with the `.stderr` the compiler must print). A declared-illegal
//! transition that starts compiling fails this test.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.pass("ui/*/pass/*.rs");
    t.compile_fail("ui/*/fail/*.rs");
}
