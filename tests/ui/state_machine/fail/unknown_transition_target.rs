// Proves a transition to an undeclared state is an error on the target's name.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Open;
        transitions {
            Closed -> Open: open;
            Closed -> Ajar: nudge;
        }
    }
}

fn main() {}
