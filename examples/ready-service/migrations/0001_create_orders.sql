CREATE TABLE IF NOT EXISTS orders (
    id          uuid PRIMARY KEY,
    customer_id text        NOT NULL,
    currency    char(3)     NOT NULL,
    status      text        NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_customer_created ON orders (customer_id, created_at DESC);

CREATE TABLE IF NOT EXISTS order_items (
    order_id         uuid    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku              text    NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents bigint  NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, sku)
);
