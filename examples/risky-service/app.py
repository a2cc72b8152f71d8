import logging
import os

import psycopg2
from flask import Flask, jsonify, request

logging.basicConfig(level=logging.DEBUG)

app = Flask(__name__)

DB_HOST = os.getenv("DB_HOST", "orders-db")
DB_USER = os.getenv("DB_USER", "orders")
DB_PASSWORD = os.getenv("DB_PASSWORD", "Orders2024!")


def db():
    return psycopg2.connect(host=DB_HOST, user=DB_USER, password=DB_PASSWORD, dbname="orders")


@app.route("/health")
def health():
    # also used for readiness; checks the database on every probe
    conn = db()
    conn.cursor().execute("SELECT 1")
    return "ok"


@app.route("/orders", methods=["POST"])
def create_order():
    body = request.get_json()
    conn = db()
    cur = conn.cursor()
    cur.execute(
        "INSERT INTO orders (customer_id, currency, total_cents) VALUES ('%s', '%s', %s) RETURNING id"
        % (body["customer_id"], body["currency"], body["total_cents"])
    )
    conn.commit()
    return jsonify({"id": cur.fetchone()[0]}), 201


@app.route("/orders/<order_id>")
def get_order(order_id):
    cur = db().cursor()
    cur.execute("SELECT id, customer_id, currency, total_cents FROM orders WHERE id = " + order_id)
    row = cur.fetchone()
    if row is None:
        return jsonify({"error": "not found"}), 404
    return jsonify(dict(zip(["id", "customer_id", "currency", "total_cents"], row)))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
