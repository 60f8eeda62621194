#!/usr/bin/env python3
"""Copy a 64-bit little-endian ELF shared object without some DT_NEEDED entries.

    elf_drop_needed.py IN OUT NAME...

Debian links MLIR's runner utils libraries (libmlir_c_runner_utils.so,
libmlir_float16_utils.so) against libMLIR.so and libLLVM.so although they use
no symbol of either. The self-contained sse-runner (SSE_STATIC_TOOLS) carries
them to machines without LLVM, so the copies must not ask for those
libraries. This removes the named DT_NEEDED entries from the dynamic section
(the entries after them move up; DT_NULL fills the end) and refuses if a
symbol version requirement still names a removed library. Nothing else
changes. Names that are not needed are ignored.
"""

import os
import shutil
import struct
import sys

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB, DT_VERNEED, DT_VERNEEDNUM = 0, 1, 5, 0x6FFFFFFE, 0x6FFFFFFF


def drop_needed(data: bytearray, names) -> list:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        raise ValueError("no dynamic section")

    def file_offset(vaddr):
        for start, offset, size in loads:
            if start <= vaddr < start + size:
                return offset + vaddr - start
        raise ValueError(f"address {vaddr:#x} is in no loaded segment")

    entries = []
    for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, val = struct.unpack_from("<qQ", data, off)
        entries.append((tag, val))
        if tag == DT_NULL:
            break
    tags = dict(entries)
    strtab = file_offset(tags[DT_STRTAB])

    def string(offset):
        start = strtab + offset
        return data[start:data.index(b"\0", start)].decode()

    dropped = [string(v) for t, v in entries if t == DT_NEEDED and string(v) in names]
    if DT_VERNEED in tags:  # version requirements name their library
        off = file_offset(tags[DT_VERNEED])
        for _ in range(tags.get(DT_VERNEEDNUM, 0)):
            _, _, vn_file, _, vn_next = struct.unpack_from("<HHIII", data, off)
            if string(vn_file) in dropped:
                raise ValueError(f"symbol versions are required from {string(vn_file)}")
            if not vn_next:
                break
            off += vn_next
    kept = [(t, v) for t, v in entries
            if t != DT_NULL and not (t == DT_NEEDED and string(v) in dropped)]
    slots = dynamic[1] // 16
    kept += [(DT_NULL, 0)] * (slots - len(kept))
    for i, (t, v) in enumerate(kept):
        struct.pack_into("<qQ", data, dynamic[0] + 16 * i, t, v)
    return dropped


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    src, dst, names = argv[0], argv[1], set(argv[2:])
    data = bytearray(open(src, "rb").read())
    dropped = drop_needed(data, names)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    shutil.copymode(src, tmp)
    os.replace(tmp, dst)
    print(f"{os.path.basename(dst)}: dropped DT_NEEDED {', '.join(dropped) or '(none)'}")


if __name__ == "__main__":
    main(sys.argv[1:])
