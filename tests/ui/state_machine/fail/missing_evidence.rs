// Proves an edge that demands evidence cannot be called without it.
pub struct Key;

flowai::state_machine! {
    machine Safe {
        states: Locked, Open;
        initial: Locked;
        terminal: Open;
        transitions { Locked -> Open: unlock(key: Key); }
    }
}

fn main() {
    let _ = Safe::new(()).unlock();
}
