// Proves a misspelled section keyword is named in the error.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        termnal: Open;
        transitions { Closed -> Open: open; }
    }
}

fn main() {}
