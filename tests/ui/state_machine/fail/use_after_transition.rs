// Proves a transition consumes the value: the old state cannot be used again.
flowai::state_machine! {
    machine Door {
        states: Closed, Open;
        initial: Closed;
        terminal: Open;
        transitions { Closed -> Open: open; }
    }
}

fn main() {
    let closed = Door::new(());
    let _open = closed.open();
    let _again = closed.open();
}
