"""信用承诺 (commitments): the register, breaches as records, fulfilment rates."""
