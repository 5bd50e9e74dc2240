// Proves an undeclared transition has no method: `Closed -> Broken` is not an edge, only `Open -> Broken` is.
flowai::state_machine! {
    machine Door {
        states: Closed, Open, Broken;
        initial: Closed;
        terminal: Broken;
        transitions {
            Closed -> Open: open;
            Open -> Broken: smash;
        }
    }
}

fn main() {
    let _ = Door::new(()).smash();
}
