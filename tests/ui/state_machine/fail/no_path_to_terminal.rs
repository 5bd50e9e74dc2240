// Proves a reachable state with no path to a terminal state (a trap) is an error on its declaration.
flowai::state_machine! {
    machine Door {
        states: Closed, Open, Stuck;
        initial: Closed;
        terminal: Open;
        transitions {
            Closed -> Open: open;
            Closed -> Stuck: jam;
        }
    }
}

fn main() {}
