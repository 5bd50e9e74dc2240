// Proves an `initial` state that is not declared in `states` is an error on that name.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Shut;
        terminal: Open;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
