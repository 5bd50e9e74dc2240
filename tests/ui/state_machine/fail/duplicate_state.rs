// Proves a state cannot be declared twice.
flowai::state_machine! {
    machine Door {
        states: Closed, Open, Closed;
        initial: Closed;
        terminal: Open;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
