// Proves a transition cannot take a name the typestate API already uses (`new`, `value`, ...).
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Open;
        transitions { Closed -> Open: into_inner; }
    }
}

fn main() {}
