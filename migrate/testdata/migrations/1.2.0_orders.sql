CREATE TABLE orders (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    total   REAL NOT NULL
);
CREATE INDEX orders_user ON orders(user_id);
