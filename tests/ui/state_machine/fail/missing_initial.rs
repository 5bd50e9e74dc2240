// Proves a machine must declare its initial state.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        terminal: Open;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
