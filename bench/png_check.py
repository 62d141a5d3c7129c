#!/usr/bin/env python3
"""Checks that a PNG (e.g. a headless Chromium screenshot) is not blank.

    python3 bench/png_check.py FILE [--min-colours N] [--min-ink FRACTION]

Decodes the PNG with zlib only (no Pillow), then counts distinct colours and the share of pixels that
are not near-white. Prints `width height colours ink` and exits 1 when the image looks blank.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width, height, colour_type, depth = 8, [], 0, 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    if depth != 8 or colour_type not in (2, 6):
        raise SystemExit(f"{path}: unsupported PNG (depth {depth}, colour type {colour_type})")
    bpp = 4 if colour_type == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    path, min_colours, min_ink = args[0], 16, 0.01
    if "--min-colours" in args:
        min_colours = int(args[args.index("--min-colours") + 1])
    if "--min-ink" in args:
        min_ink = float(args[args.index("--min-ink") + 1])
    width, height, bpp, rows = decode(path)
    colours, ink = set(), 0
    for line in rows:
        for x in range(0, width * bpp, bpp):
            rgb = bytes(line[x:x + 3])
            colours.add(rgb)
            if min(rgb) < 235:
                ink += 1
    share = ink / float(width * height or 1)
    print(f"{width} {height} {len(colours)} {share:.4f}")
    if len(colours) < min_colours or share < min_ink:
        print(f"{path}: looks blank ({len(colours)} colours, {share:.2%} non-white)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
