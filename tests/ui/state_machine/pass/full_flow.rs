// Proves a user-declared machine walks its declared edges with evidence, exposes the
// run-time table, and parses and prints its states.
use flowai::machine::{Machine, State};

pub struct Ticket(#[allow(dead_code)] u32);

flowai::state_machine! {
    /// An order.
    pub machine Order {
        states: Cart, Paid, Shipped, Delivered, Refunded;
        initial: Cart;
        terminal: Delivered, Refunded;
        transitions {
            Cart -> Paid: pay(receipt: Ticket);
            Paid -> Shipped: ship;
            Paid -> Refunded: refund;
            Shipped -> Delivered: deliver;
        }
    }
}

fn main() {
    let order: Order<order::Cart, Vec<&str>> = Order::new(vec!["tea"]);
    let paid = order.pay(Ticket(1));
    assert_eq!(paid.state(), OrderState::Paid);
    let done = paid.ship().deliver();
    assert_eq!(done.state(), OrderState::Delivered);
    assert_eq!(done.into_inner(), ["tea"]);
    assert_eq!(<order::Shipped as State>::STATE.as_str(), "shipped");
    assert_eq!(OrderState::Paid.transition(OrderState::Refunded), Ok(OrderState::Refunded));
    assert!(OrderState::Cart.transition(OrderState::Shipped).is_err());
    assert_eq!(OrderState::edge(OrderState::Cart, OrderState::Paid), Some("pay"));
    assert_eq!("refunded".parse::<OrderState>(), Ok(OrderState::Refunded));
    assert_eq!(OrderState::TERMINAL, [OrderState::Delivered, OrderState::Refunded]);
    assert_eq!(<OrderState as Machine>::NAME, "Order");
}
