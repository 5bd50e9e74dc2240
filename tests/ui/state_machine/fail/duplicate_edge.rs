// Proves the same `from -> to` pair cannot be declared twice.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Open;
        transitions {
            Closed -> Open: open;
            Closed -> Open: force;
        }
    }
}

fn main() {}
