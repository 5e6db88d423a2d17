//! Contact demand and cost: contacts per order, cost per contact, cost per order.
//! State the denominator in findings (orders, handled contacts).

use crate::stats::{count_ratio, ratio};

/// Contacts per order `CPO = contacts / orders`; `None` if there are no orders.
pub fn contacts_per_order(contacts: u64, orders: u64) -> Option<f64> {
    count_ratio(contacts, orders)
}

/// Cost per contact `cost / handled contacts`; `None` if none handled or cost not finite.
pub fn cost_per_contact(cost: f64, handled_contacts: u64) -> Option<f64> {
    ratio(cost, handled_contacts as f64)
}

/// Cost per order `cost / orders`; `None` if there are no orders or cost not finite.
pub fn cost_per_order(cost: f64, orders: u64) -> Option<f64> {
    ratio(cost, orders as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_ratios() {
        assert_eq!(contacts_per_order(1_500, 10_000), Some(0.15));
        assert_eq!(contacts_per_order(1, 0), None);
        assert_eq!(cost_per_contact(45_000.0, 9_000), Some(5.0));
        assert_eq!(cost_per_contact(1.0, 0), None);
        assert_eq!(cost_per_contact(f64::NAN, 3), None);
        assert_eq!(cost_per_order(45_000.0, 10_000), Some(4.5));
        assert_eq!(cost_per_order(1.0, 0), None);
    }
}
