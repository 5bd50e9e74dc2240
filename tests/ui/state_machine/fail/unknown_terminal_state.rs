// Proves a `terminal` state that is not declared in `states` is an error on that name.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Opened;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
