#!/usr/bin/env python3
"""read_tfevents.py - an independent reader of TensorBoard event files, standard library only.

Usage: read_tfevents.py LOGDIR  -> prints JSON {"runs": {"<dir relative to LOGDIR>": [{"file": name, "events": [...]}]},
                                                "records": N}
Every record's framing is checked (uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data;
no trailing bytes); a bad CRC or a truncated record exits with status 1. Events are decoded from the protobuf wire
format with the field numbers of TensorBoard's event.proto, summary.proto, histogram.proto, tensor.proto,
tensor_shape.proto, the text and hparams plugins' protos and google/protobuf/struct.proto. Proto3 meaning: a
plain scalar field at its default value reads as absent; members of a oneof and set sub-messages are kept. PNG
images are decoded (zlib + PNG filters) and reported as size, channels and the SHA-256 of their raw pixels.
Unknown fields show up as "#<number>" so that a wrong field number cannot pass unnoticed.
"""
import hashlib
import json
import os
import struct
import sys
import zlib

# ---- CRC-32C (Castagnoli), bit by bit -------------------------------------------------------------------------
_TABLE = []
for _b in range(256):
    _c = _b
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, 'rb') as f:
        buf = f.read()
    i, out = 0, []
    while i < len(buf):
        if len(buf) - i < 12:
            raise ValueError('%s: truncated record header at offset %d' % (path, i))
        (n,) = struct.unpack_from('<Q', buf, i)
        (lcrc,) = struct.unpack_from('<I', buf, i + 8)
        if masked(crc32c(buf[i:i + 8])) != lcrc:
            raise ValueError('%s: bad length CRC at offset %d' % (path, i))
        if len(buf) - i < 16 + n:
            raise ValueError('%s: truncated record data at offset %d' % (path, i))
        data = buf[i + 12:i + 12 + n]
        (dcrc,) = struct.unpack_from('<I', buf, i + 12 + n)
        if masked(crc32c(data)) != dcrc:
            raise ValueError('%s: bad data CRC at offset %d' % (path, i))
        out.append(data)
        i += 16 + n
    return out


# ---- protobuf wire format -------------------------------------------------------------------------------------
def varint(b, i):
    r, s = 0, 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return r, i


def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 1:
            v = b[i:i + 8]
            i += 8
        elif wire == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif wire == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError('unsupported wire type %d' % wire)
        if i > len(b):
            raise ValueError('truncated field %d' % num)
        yield num, wire, v


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


# schema: message name -> {number: (name, kind, repeated, oneof)}; kind is a scalar type or a message name
def F(name, kind, rep=False, oneof=False):
    return (name, kind, rep, oneof)


SCHEMA = {
    'Event': {1: F('wall_time', 'double'), 2: F('step', 'int64'), 3: F('file_version', 'string', oneof=True),
              4: F('graph_def', 'bytes', oneof=True), 5: F('summary', 'Summary', oneof=True),
              7: F('session_log', 'SessionLog', oneof=True), 10: F('source_metadata', 'SourceMetadata')},
    'SourceMetadata': {1: F('writer', 'string')},
    'SessionLog': {1: F('status', 'enum'), 2: F('checkpoint_path', 'string'), 3: F('msg', 'string')},
    'Summary': {1: F('value', 'Value', rep=True)},
    'Value': {7: F('node_name', 'string'), 1: F('tag', 'string'), 9: F('metadata', 'SummaryMetadata'),
              2: F('simple_value', 'float', oneof=True), 3: F('obsolete_old_style_histogram', 'bytes', oneof=True),
              4: F('image', 'Image', oneof=True), 5: F('histo', 'HistogramProto', oneof=True),
              8: F('tensor', 'TensorProto', oneof=True)},
    'Image': {1: F('height', 'int32'), 2: F('width', 'int32'), 3: F('colorspace', 'int32'),
              4: F('encoded_image_string', 'png')},
    'HistogramProto': {1: F('min', 'double'), 2: F('max', 'double'), 3: F('num', 'double'), 4: F('sum', 'double'),
                       5: F('sum_squares', 'double'), 6: F('bucket_limit', 'double', rep=True),
                       7: F('bucket', 'double', rep=True)},
    'SummaryMetadata': {1: F('plugin_data', 'PluginData'), 2: F('display_name', 'string'),
                        3: F('summary_description', 'string'), 4: F('data_class', 'enum')},
    'PluginData': {1: F('plugin_name', 'string'), 2: F('content', 'bytes')},
    'TensorProto': {1: F('dtype', 'enum'), 2: F('tensor_shape', 'TensorShapeProto'), 3: F('version_number', 'int32'),
                    4: F('tensor_content', 'bytes'), 5: F('float_val', 'float', rep=True),
                    6: F('double_val', 'double', rep=True), 7: F('int_val', 'int32', rep=True),
                    8: F('string_val', 'utf8', rep=True), 10: F('int64_val', 'int64', rep=True)},
    'TensorShapeProto': {2: F('dim', 'Dim', rep=True), 3: F('unknown_rank', 'bool')},
    'Dim': {1: F('size', 'int64'), 2: F('name', 'string')},
    'TextPluginData': {1: F('version', 'int32')},
    'HParamsPluginData': {1: F('version', 'int32'), 2: F('experiment', 'Experiment', oneof=True),
                          3: F('session_start_info', 'SessionStartInfo', oneof=True),
                          4: F('session_end_info', 'SessionEndInfo', oneof=True)},
    'Experiment': {6: F('name', 'string'), 1: F('description', 'string'), 2: F('user', 'string'),
                   3: F('time_created_secs', 'double'), 4: F('hparam_infos', 'HParamInfo', rep=True),
                   5: F('metric_infos', 'MetricInfo', rep=True)},
    'HParamInfo': {1: F('name', 'string'), 2: F('display_name', 'string'), 3: F('description', 'string'),
                   4: F('type', 'enum'), 5: F('domain_discrete', 'ListValue', oneof=True),
                   6: F('domain_interval', 'Interval', oneof=True)},
    'Interval': {1: F('min_value', 'double'), 2: F('max_value', 'double')},
    'MetricInfo': {1: F('name', 'MetricName'), 3: F('display_name', 'string'), 4: F('description', 'string'),
                   5: F('dataset_type', 'enum')},
    'MetricName': {1: F('group', 'string'), 2: F('tag', 'string')},
    'SessionStartInfo': {1: F('hparams', 'map<string,PbValue>'), 2: F('model_uri', 'string'),
                         3: F('monitor_url', 'string'), 4: F('group_name', 'string'),
                         5: F('start_time_secs', 'double')},
    'SessionEndInfo': {1: F('status', 'enum'), 2: F('end_time_secs', 'double')},
    'PbValue': {1: F('null_value', 'enum', oneof=True), 2: F('number_value', 'double', oneof=True),
                3: F('string_value', 'string', oneof=True), 4: F('bool_value', 'bool', oneof=True),
                6: F('list_value', 'ListValue', oneof=True)},
    'ListValue': {1: F('values', 'PbValue', rep=True)},
    'MapEntry': {1: F('key', 'string', oneof=True), 2: F('value', 'PbValue', oneof=True)},
}
PLUGIN_CONTENT = {'hparams': 'HParamsPluginData', 'text': 'TextPluginData'}
DEFAULTS = (0, 0.0, '', b'', False)


def scalar(kind, wire, v):
    if kind == 'double':
        return struct.unpack('<d', v)[0]
    if kind == 'float':
        return struct.unpack('<f', v)[0]
    if kind in ('int32', 'int64', 'enum'):
        return signed64(v)
    if kind == 'bool':
        return bool(v)
    if kind == 'string':
        return bytes(v).decode('utf-8')
    if kind == 'utf8':
        return bytes(v).decode('utf-8')
    if kind == 'bytes':
        return bytes(v).hex()
    if kind == 'png':
        return png_info(bytes(v))
    raise ValueError(kind)


def packed(kind, v):
    out, i = [], 0
    if kind == 'double':
        return list(struct.unpack('<%dd' % (len(v) // 8), v))
    if kind == 'float':
        return list(struct.unpack('<%df' % (len(v) // 4), v))
    while i < len(v):
        x, i = varint(v, i)
        out.append(signed64(x))
    return out


def decode(msg, b):
    schema, out = SCHEMA[msg], {}
    for num, wire, v in fields(b):
        if num not in schema:
            out['#%d' % num] = bytes(v).hex() if isinstance(v, (bytes, bytearray, memoryview)) else v
            continue
        name, kind, rep, oneof = schema[num]
        if kind.startswith('map<'):
            e = decode('MapEntry', v)
            out.setdefault(name, {})[e.get('key', '')] = e.get('value', {})
            continue
        if kind in SCHEMA:
            val = decode(kind, v)
        elif rep and wire == 2 and kind not in ('string', 'utf8', 'bytes', 'png'):
            out.setdefault(name, []).extend(packed(kind, v))
            continue
        else:
            val = scalar(kind, wire, v)
        if rep:
            out.setdefault(name, []).append(val)
        else:
            out[name] = val
    # proto3: a plain scalar at its default value means absent
    for num, (name, kind, rep, oneof) in schema.items():
        if name in out and not rep and not oneof and kind not in SCHEMA and out[name] in DEFAULTS and not isinstance(out[name], dict):
            if not (isinstance(out[name], float) and str(out[name]) == '-0.0'):
                del out[name]
    if msg == 'PluginData' and out.get('plugin_name') in PLUGIN_CONTENT:
        out['content'] = decode(PLUGIN_CONTENT[out['plugin_name']], bytes.fromhex(out.get('content', '')))
    return out


# ---- PNG ------------------------------------------------------------------------------------------------------
def png_info(b):
    if b[:8] != b'\x89PNG\r\n\x1a\n':
        return {'not_png': b[:16].hex()}
    i, idat, ihdr = 8, b'', None
    while i < len(b):
        (n,) = struct.unpack_from('>I', b, i)
        typ = b[i + 4:i + 8]
        body = b[i + 8:i + 8 + n]
        if zlib.crc32(b[i + 4:i + 8 + n]) & 0xFFFFFFFF != struct.unpack_from('>I', b, i + 8 + n)[0]:
            raise ValueError('PNG chunk %r: bad CRC' % typ)
        if typ == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif typ == b'IDAT':
            idat += body
        i += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace != 0 or ctype not in (0, 2, 4, 6):
        return {'width': w, 'height': h, 'unsupported': [depth, ctype, interlace]}
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * ch
    pix, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0
            up = prev[x]
            c = prev[x - ch] if x >= ch else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xFF
            elif f == 2:
                line[x] = (line[x] + up) & 0xFF
            elif f == 3:
                line[x] = (line[x] + (a + up) // 2) & 0xFF
            elif f == 4:
                p = a + up - c
                pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 0xFF
        pix += line
        prev = line
    return {'width': w, 'height': h, 'channels': ch, 'pixels_sha256': hashlib.sha256(bytes(pix)).hexdigest()}


def read_logdir(root):
    runs, count = {}, 0
    for d, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if 'tfevents' not in name:
                continue
            events = [decode('Event', r) for r in records(os.path.join(d, name))]
            count += len(events)
            rel = os.path.relpath(d, root).replace(os.sep, '/')
            runs.setdefault('' if rel == '.' else rel, []).append({'file': name, 'events': events})
    return {'runs': runs, 'records': count}


if __name__ == '__main__':
    try:
        print(json.dumps(read_logdir(sys.argv[1]), sort_keys=True))
    except ValueError as e:
        sys.stderr.write('read_tfevents: %s\n' % e)
        sys.exit(1)
