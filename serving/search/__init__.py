"""Product search: query parser, index client, aggregator, ranker hook, formatter."""
