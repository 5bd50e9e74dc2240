// Proves two transitions leaving one state cannot share a method name.
flowai::state_machine! {
    machine Door {
        states: Closed, Open, Broken;
        initial: Closed;
        terminal: Open, Broken;
        transitions {
            Closed -> Open: open;
            Closed -> Broken: open;
        }
    }
}

fn main() {}
