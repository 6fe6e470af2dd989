#!/usr/bin/env python
import sys

from cxloop.cli import main

if __name__ == "__main__":
    main(sys.argv)
