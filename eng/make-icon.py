#!/usr/bin/env python3
"""Draws eng/icon.png, the packages' icon: an arrow into a chip (DFU download), 128x128, standard library only."""
import os
import struct
import zlib

SIZE = 128
BACKGROUND = (24, 64, 120, 255)
CHIP = (235, 240, 245, 255)
PIN = (180, 190, 200, 255)
ARROW = (255, 176, 32, 255)
CLEAR = (0, 0, 0, 0)


def pixel(x, y):
    # Rounded square background, radius 20.
    r = 20
    cx = min(max(x, r), SIZE - 1 - r)
    cy = min(max(y, r), SIZE - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    # Chip body in the lower half, with pins on its left and right sides.
    if 34 <= x < 94 and 64 <= y < 108:
        return CHIP
    if (26 <= x < 34 or 94 <= x < 102) and 68 <= y < 106 and (y - 68) % 9 < 5:
        return PIN
    # Arrow: a shaft from the top and a head pointing into the chip.
    if 56 <= x < 72 and 14 <= y < 44:
        return ARROW
    if 40 <= y < 62 and abs(x - 63.5) <= (62 - y) * 1.1:
        return ARROW
    return BACKGROUND


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in pixel(x, y)) for y in range(SIZE))
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 9))
           + chunk(b"IEND", b""))
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
