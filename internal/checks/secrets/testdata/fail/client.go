package main

const githubToken = "ghp_R7mQ2xV9kL4pW8nB3cT6yH1jF5dS0aZeUu1X"
