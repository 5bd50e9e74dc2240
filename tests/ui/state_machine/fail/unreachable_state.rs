// Proves a state no transition reaches from the initial state is an error on its declaration.
flowai::state_machine! {
    machine Door {
        states: Closed, Open, Bricked;
        initial: Closed;
        terminal: Open, Bricked;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
