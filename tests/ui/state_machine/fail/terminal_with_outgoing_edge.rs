// Proves a terminal state cannot have an outgoing transition (re-opening a terminal state).
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Open;
        transitions {
            Closed -> Open: open;
            Open -> Closed: close;
        }
    }
}

fn main() {}
