// Proves `Granted` cannot be built with a struct literal outside the engine.
use flowai::lifecycle::evidence::Granted;

fn main() {
    let _ = Granted { _private: () };
}
