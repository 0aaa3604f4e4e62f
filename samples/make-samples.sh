#!/bin/sh
# Regenerates the sample firmware files from nothing but this script and dfusharp.
# Run from the repository root: samples/make-samples.sh
set -eu
cd "$(dirname "$0")/.."

# blinky-stm32f4.bin: 4 KiB of deterministic bytes shaped like a Cortex-M image: a vector table (initial stack
# pointer 0x2002_0000, reset handler 0x0800_0101), then the bytes (i * 7 + 3) mod 256.
python3 - <<'PY'
import struct
data = bytearray(struct.pack("<II", 0x20020000, 0x08000101))
data += bytes((i * 7 + 3) % 256 for i in range(8, 4096))
open("samples/blinky-stm32f4.bin", "wb").write(data)
PY

# blinky-stm32f4.dfu: the binary at 0x0800_0000 in a DfuSe file for the STM32F4 ROM bootloader (0483:df11, any bcdDevice: ROM revisions differ).
dotnet run --project tools/DfuSharp.Cli -- file pack samples/blinky-stm32f4.dfu \
    --alt 0 --name "Internal Flash" --bin 0x08000000:samples/blinky-stm32f4.bin --vid 0x0483 --pid 0xdf11 --did 0xffff
