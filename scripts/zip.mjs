// A minimal zip writer (deflate, no extras) for the browser extension packages: the stores take plain zips,
// and no zip library is among the dependencies. Entries get a fixed date, so the same files give the same zip.
import { crc32, deflateRawSync } from 'node:zlib';

const DOS_DATE = (1 << 5) | 1; // 1980-01-01
const DOS_TIME = 0;

/** @param {Array<{ name: string; data: Buffer }>} files */
export function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    // Local and central headers share this run of fields: version needed, UTF-8 names flag, deflate, date, sizes.
    const header = (signature, size, at) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      [20, 0x0800, 8, DOS_TIME, DOS_DATE].forEach((value, i) => b.writeUInt16LE(value, at + 2 * i));
      b.writeUInt32LE(crc, at + 10);
      b.writeUInt32LE(packed.length, at + 14);
      b.writeUInt32LE(data.length, at + 18);
      b.writeUInt16LE(nameBytes.length, at + 22);
      return b;
    };
    const local = header(0x04034b50, 30, 4);
    const central = header(0x02014b50, 46, 6);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
