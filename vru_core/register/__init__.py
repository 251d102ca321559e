"""The commissioning register: awards, their money, their places and the need behind them."""
