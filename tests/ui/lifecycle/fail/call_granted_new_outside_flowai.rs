// Proves `Granted::new` is private to the engine: only an approved gate mints a grant.
use flowai::lifecycle::evidence::Granted;

fn main() {
    let _ = Granted::new();
}
