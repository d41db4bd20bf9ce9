#!/usr/bin/env python
from acuclinic.__main__ import main

if __name__ == "__main__":
    main()
