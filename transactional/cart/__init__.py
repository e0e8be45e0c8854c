"""Cart: what a customer means to buy, priced at the catalog's current prices."""
