"""The baseline of ``make bench``: a bare Flask hello world, served by the same gunicorn."""

from flask import Flask

app = Flask("hello")


@app.get("/")
def hello():
    return "Hello, world!"
