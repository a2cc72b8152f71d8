#!/bin/sh
curl -f $URL/health
