#!/usr/bin/env python3
"""gen_tensorboard.py - reference event files from PyTorch's own torch.utils.tensorboard.SummaryWriter.

    /usr/bin/python3 test/ref/gen_tensorboard.py        (writes test/ref/tensorboard.json)

PyTorch 1.13's writer needs the `tensorboard` Python package, which Debian does not ship. This script lets
PyTorch's real code run anyway (torch/utils/tensorboard/writer.py and summary.py: directory layout, histogram
bins, image grids, text and hparams summaries, purge_step) by providing a minimal stand-in for the tensorboard
modules it imports: the message classes are built with google.protobuf (Debian's python3-protobuf) from the
field definitions of TensorBoard's .proto files, written out below, and EventFileWriter frames records as
TensorBoard's does (TFRecord, masked CRC-32C). The files are then decoded by read_tfevents.py, and the fixture
holds the inputs of every call and the decoded events (without wall times, except the ones given explicitly).
Only this generator needs python3-protobuf; the tests read the committed JSON.
"""
import json
import os
import shutil
import socket
import struct
import sys
import tempfile
import time
import types

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, struct_pb2  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import read_tfevents  # noqa: E402

# ---- message classes from field definitions -------------------------------------------------------------------
FDP = descriptor_pb2.FieldDescriptorProto
TYPES = {'double': FDP.TYPE_DOUBLE, 'float': FDP.TYPE_FLOAT, 'int64': FDP.TYPE_INT64, 'int32': FDP.TYPE_INT32,
         'bool': FDP.TYPE_BOOL, 'string': FDP.TYPE_STRING, 'bytes': FDP.TYPE_BYTES, 'uint32': FDP.TYPE_UINT32}


def add_message(container, name, fields, nested=(), enums=(), map_entry=False):
    """fields: (name, number, type, opts) with type a scalar name, 'enum:.full.Name' or '.full.Name' (a message);
    opts: 'rep' for repeated, 'oneof:<name>' for a oneof member."""
    m = container.add(name=name)
    if map_entry:
        m.options.map_entry = True
    oneofs = []
    for fname, num, typ, *opts in fields:
        f = m.field.add(name=fname, number=num)
        f.label = FDP.LABEL_REPEATED if 'rep' in opts else FDP.LABEL_OPTIONAL
        if typ.startswith('enum:'):
            f.type, f.type_name = FDP.TYPE_ENUM, typ[5:]
        elif typ.startswith('.'):
            f.type, f.type_name = FDP.TYPE_MESSAGE, typ
        else:
            f.type = TYPES[typ]
        for o in opts:
            if o.startswith('oneof:'):
                if o[6:] not in oneofs:
                    oneofs.append(o[6:])
                    m.oneof_decl.add(name=o[6:])
                f.oneof_index = oneofs.index(o[6:])
    for n in nested:
        add_message(m.nested_type, *n[:2], **(n[2] if len(n) > 2 else {}))
    for ename, values in enums:
        e = m.enum_type.add(name=ename)
        for vn, vv in values:
            e.value.add(name=vn, number=vv)
    return m


def build_file(name, package, messages, enums=(), deps=()):
    fdp = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax='proto3', dependency=list(deps))
    for msg in messages:
        add_message(fdp.message_type, *msg[:2], **(msg[2] if len(msg) > 2 else {}))
    for ename, values in enums:
        e = fdp.enum_type.add(name=ename)
        for vn, vv in values:
            e.value.add(name=vn, number=vv)
    pool = descriptor_pool.Default()
    pool.AddSerializedFile(fdp.SerializeToString())
    factory = message_factory.MessageFactory(pool)
    mod = types.SimpleNamespace()
    def cls(desc):
        c = factory.GetPrototype(desc)
        for nd in desc.nested_types:  # nested messages as class attributes (Summary.Value, ...)
            setattr(c, nd.name, cls(nd))
        return c
    for msg in messages:
        setattr(mod, msg[0], cls(pool.FindMessageTypeByName(package + '.' + msg[0])))
    for ename, _ in enums:
        setattr(mod, ename, pool.FindEnumTypeByName(package + '.' + ename))
    return mod


# tensorboard/compat/proto/{types,tensor_shape,tensor,histogram,summary,event}.proto
tb = build_file('tb_shim/core.proto', 'tensorboard', [
    ('TensorShapeProto', [('dim', 2, '.tensorboard.TensorShapeProto.Dim', 'rep'), ('unknown_rank', 3, 'bool')],
     {'nested': [('Dim', [('size', 1, 'int64'), ('name', 2, 'string')])]}),
    ('TensorProto', [('dtype', 1, 'enum:.tensorboard.DataType'), ('tensor_shape', 2, '.tensorboard.TensorShapeProto'),
                     ('version_number', 3, 'int32'), ('tensor_content', 4, 'bytes'), ('float_val', 5, 'float', 'rep'),
                     ('double_val', 6, 'double', 'rep'), ('int_val', 7, 'int32', 'rep'), ('string_val', 8, 'bytes', 'rep'),
                     ('int64_val', 10, 'int64', 'rep'), ('bool_val', 11, 'bool', 'rep')]),
    ('HistogramProto', [('min', 1, 'double'), ('max', 2, 'double'), ('num', 3, 'double'), ('sum', 4, 'double'),
                        ('sum_squares', 5, 'double'), ('bucket_limit', 6, 'double', 'rep'), ('bucket', 7, 'double', 'rep')]),
    ('SummaryMetadata', [('plugin_data', 1, '.tensorboard.SummaryMetadata.PluginData'), ('display_name', 2, 'string'),
                         ('summary_description', 3, 'string'), ('data_class', 4, 'int32')],
     {'nested': [('PluginData', [('plugin_name', 1, 'string'), ('content', 2, 'bytes')])]}),
    ('Summary', [('value', 1, '.tensorboard.Summary.Value', 'rep')], {'nested': [
        ('Image', [('height', 1, 'int32'), ('width', 2, 'int32'), ('colorspace', 3, 'int32'),
                   ('encoded_image_string', 4, 'bytes')]),
        ('Value', [('node_name', 7, 'string'), ('tag', 1, 'string'), ('metadata', 9, '.tensorboard.SummaryMetadata'),
                   ('simple_value', 2, 'float', 'oneof:value'), ('obsolete_old_style_histogram', 3, 'bytes', 'oneof:value'),
                   ('image', 4, '.tensorboard.Summary.Image', 'oneof:value'),
                   ('histo', 5, '.tensorboard.HistogramProto', 'oneof:value'),
                   ('tensor', 8, '.tensorboard.TensorProto', 'oneof:value')])]}),
    ('SessionLog', [('status', 1, 'enum:.tensorboard.SessionLog.SessionStatus'), ('checkpoint_path', 2, 'string'),
                    ('msg', 3, 'string')],
     {'enums': [('SessionStatus', [('STATUS_UNSPECIFIED', 0), ('START', 1), ('STOP', 2), ('CHECKPOINT', 3)])]}),
    ('Event', [('wall_time', 1, 'double'), ('step', 2, 'int64'), ('file_version', 3, 'string', 'oneof:what'),
               ('graph_def', 4, 'bytes', 'oneof:what'), ('summary', 5, '.tensorboard.Summary', 'oneof:what'),
               ('session_log', 7, '.tensorboard.SessionLog', 'oneof:what')]),
    ('TextPluginData', [('version', 1, 'int32')]),
], enums=[('DataType', [('DT_INVALID', 0), ('DT_FLOAT', 1), ('DT_DOUBLE', 2), ('DT_INT32', 3), ('DT_UINT8', 4),
                        ('DT_STRING', 7), ('DT_INT64', 9), ('DT_BOOL', 10)])])
tb.SessionLog.START = 1

# tensorboard/plugins/hparams/{api,plugin_data}.proto
hp = build_file('tb_shim/hparams.proto', 'tensorboard.hparams', [
    ('Interval', [('min_value', 1, 'double'), ('max_value', 2, 'double')]),
    ('HParamInfo', [('name', 1, 'string'), ('display_name', 2, 'string'), ('description', 3, 'string'),
                    ('type', 4, 'enum:.tensorboard.hparams.DataType'),
                    ('domain_discrete', 5, '.google.protobuf.ListValue', 'oneof:domain'),
                    ('domain_interval', 6, '.tensorboard.hparams.Interval', 'oneof:domain')]),
    ('MetricName', [('group', 1, 'string'), ('tag', 2, 'string')]),
    ('MetricInfo', [('name', 1, '.tensorboard.hparams.MetricName'), ('display_name', 3, 'string'),
                    ('description', 4, 'string'), ('dataset_type', 5, 'enum:.tensorboard.hparams.DatasetType')]),
    ('Experiment', [('name', 6, 'string'), ('description', 1, 'string'), ('user', 2, 'string'),
                    ('time_created_secs', 3, 'double'), ('hparam_infos', 4, '.tensorboard.hparams.HParamInfo', 'rep'),
                    ('metric_infos', 5, '.tensorboard.hparams.MetricInfo', 'rep')]),
    ('SessionStartInfo', [('hparams', 1, '.tensorboard.hparams.SessionStartInfo.HparamsEntry', 'rep'),
                          ('model_uri', 2, 'string'), ('monitor_url', 3, 'string'), ('group_name', 4, 'string'),
                          ('start_time_secs', 5, 'double')],
     {'nested': [('HparamsEntry', [('key', 1, 'string'), ('value', 2, '.google.protobuf.Value')], {'map_entry': True})]}),
    ('SessionEndInfo', [('status', 1, 'enum:.tensorboard.hparams.Status'), ('end_time_secs', 2, 'double')]),
    ('HParamsPluginData', [('version', 1, 'int32'),
                           ('experiment', 2, '.tensorboard.hparams.Experiment', 'oneof:data'),
                           ('session_start_info', 3, '.tensorboard.hparams.SessionStartInfo', 'oneof:data'),
                           ('session_end_info', 4, '.tensorboard.hparams.SessionEndInfo', 'oneof:data')]),
], enums=[('DataType', [('DATA_TYPE_UNSET', 0), ('DATA_TYPE_STRING', 1), ('DATA_TYPE_BOOL', 2), ('DATA_TYPE_FLOAT64', 3)]),
          ('DatasetType', [('DATASET_UNKNOWN', 0), ('DATASET_TRAINING', 1), ('DATASET_VALIDATION', 2)]),
          ('Status', [('STATUS_UNKNOWN', 0), ('STATUS_SUCCESS', 1), ('STATUS_FAILURE', 2), ('STATUS_RUNNING', 3)])],
    deps=['google/protobuf/struct.proto'])


class _EnumWrapper:
    def __init__(self, d):
        self._d = d

    def Value(self, name):
        return self._d.values_by_name[name].number


# ---- EventFileWriter stand-in: TFRecord framing as tensorboard.summary.writer --------------------------------
_uid = [0]


class EventFileWriter:
    def __init__(self, logdir, max_queue_size=10, flush_secs=120, filename_suffix=''):
        self._logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        self._path = os.path.join(logdir, 'events.out.tfevents.%010d.%s.%s.%s' % (
            time.time(), socket.gethostname(), os.getpid(), _uid[0])) + filename_suffix
        _uid[0] += 1
        self._f = open(self._path, 'wb')
        self.add_event(tb.Event(wall_time=time.time(), file_version='brain.Event:2'))
        self.flush()

    def get_logdir(self):
        return self._logdir

    def add_event(self, event):
        data = event.SerializeToString()
        head = struct.pack('<Q', len(data))
        self._f.write(head + struct.pack('<I', read_tfevents.masked(read_tfevents.crc32c(head))) + data +
                      struct.pack('<I', read_tfevents.masked(read_tfevents.crc32c(data))))

    def flush(self):
        self._f.flush()

    def close(self):
        self._f.close()

    def reopen(self):
        pass


# ---- the stand-in modules -------------------------------------------------------------------------------------
class _Placeholder:
    def __init__(self, *a, **k):
        raise RuntimeError('tensorboard stand-in: this class is not provided')


def _module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    m.__getattr__ = lambda attr: _Placeholder  # anything not provided imports as a placeholder
    m.__path__ = []
    sys.modules[name] = m
    parent, _, leaf = name.rpartition('.')
    if parent in sys.modules:
        setattr(sys.modules[parent], leaf, m)
    return m


_module('tensorboard', __version__='2.11.0')
_module('tensorboard.compat', tf=None)
_module('tensorboard.compat.proto')
_module('tensorboard.compat.proto.summary_pb2', Summary=tb.Summary, HistogramProto=tb.HistogramProto,
        SummaryMetadata=tb.SummaryMetadata)
_module('tensorboard.compat.proto.tensor_pb2', TensorProto=tb.TensorProto)
_module('tensorboard.compat.proto.tensor_shape_pb2', TensorShapeProto=tb.TensorShapeProto)
_module('tensorboard.compat.proto.event_pb2', Event=tb.Event, SessionLog=tb.SessionLog)
for _n in ('config_pb2', 'graph_pb2', 'step_stats_pb2', 'versions_pb2', 'node_def_pb2', 'attr_value_pb2'):
    _module('tensorboard.compat.proto.' + _n)
_module('tensorboard.plugins')
for _n in ('custom_scalar', 'pr_curve', 'text', 'hparams', 'projector', 'mesh'):
    _module('tensorboard.plugins.' + _n)
_module('tensorboard.plugins.custom_scalar.layout_pb2')
_module('tensorboard.plugins.pr_curve.plugin_data_pb2')
_module('tensorboard.plugins.projector.projector_config_pb2')
_module('tensorboard.plugins.text.plugin_data_pb2', TextPluginData=tb.TextPluginData)
_module('tensorboard.plugins.hparams.api_pb2', Experiment=hp.Experiment, HParamInfo=hp.HParamInfo,
        MetricInfo=hp.MetricInfo, MetricName=hp.MetricName, Status=_EnumWrapper(hp.Status),
        DataType=_EnumWrapper(hp.DataType))
# tensorboard/plugins/hparams/metadata.py
_module('tensorboard.plugins.hparams.metadata', PLUGIN_NAME='hparams', PLUGIN_DATA_VERSION=0,
        EXPERIMENT_TAG='_hparams_/experiment', SESSION_START_INFO_TAG='_hparams_/session_start_info',
        SESSION_END_INFO_TAG='_hparams_/session_end_info')
_module('tensorboard.plugins.hparams.plugin_data_pb2', HParamsPluginData=hp.HParamsPluginData,
        SessionEndInfo=hp.SessionEndInfo, SessionStartInfo=hp.SessionStartInfo)
_module('tensorboard.summary')
_module('tensorboard.summary.writer')
_module('tensorboard.summary.writer.event_file_writer', EventFileWriter=EventFileWriter)
_module('tensorboard.summary.writer.record_writer')

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402
import torch.utils.tensorboard.summary as _tb_summary  # noqa: E402

# PyTorch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which numpy >= 1.24 refuses (no such
# loop); later PyTorch writes np.greater(counts, 0). Same meaning: give summary.py a numpy whose greater casts after.
_np_for_summary = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if not k.startswith('__')})
_np_for_summary.greater = lambda a, b, dtype=None: np.greater(a, b).astype(dtype) if dtype else np.greater(a, b)
_tb_summary.np = _np_for_summary


# ---- the calls (test/tensorboard.test.ts makes the same ones) --------------------------------------------------
def f32(t):
    return [float(x) for x in t.reshape(-1).tolist()]


def main():
    torch.manual_seed(0)
    inputs = {
        'hist_randn': f32(torch.randn(1000)),
        'hist_mixed': f32(torch.cat([torch.zeros(5), torch.randn(200) * 1e-3, torch.randn(50) * 50 + 300])),
        'hist_int': torch.randint(-20, 20, (300,)).tolist(),
        'img_chw': f32(torch.rand(3, 4, 5)),
        'img_hwc_u8': torch.randint(0, 256, (4, 5, 1), dtype=torch.uint8).reshape(-1).tolist(),
        'img_hw': f32(torch.rand(6, 7)),
        'imgs_nchw': f32(torch.rand(10, 1, 4, 5)),
        'imgs_nhwc_u8': torch.randint(0, 256, (3, 4, 5, 3), dtype=torch.uint8).reshape(-1).tolist(),
        'img_rgba_u8': torch.randint(0, 256, (4, 3, 2), dtype=torch.uint8).reshape(-1).tolist(),
    }
    T = lambda k, *shape, dtype=torch.float32: torch.tensor(inputs[k], dtype=dtype).reshape(*shape)  # noqa: E731
    root = tempfile.mkdtemp(prefix='tbref_')
    try:
        w = SummaryWriter(log_dir=root)
        for i, v in enumerate([0.5, 0.25, 0.125]):
            w.add_scalar('loss', v, i)
        w.add_scalar('float32/inexact', 0.1, 7, walltime=1234.5)
        w.add_scalar('tensor value', torch.tensor(2.5), 2 ** 40)
        w.add_scalar('negative step', -1.0, -3)
        w.add_scalar('zero', 0.0, 0)
        w.add_scalar('new', 1.5, 3, new_style=True)
        w.add_scalar('new double', 0.1, 3, new_style=True, double_precision=True)
        w.add_scalars('group/a', {'sin': 0.5, 'cos': -0.25}, 5, walltime=99.0)
        w.add_scalars('group/a', {'sin': 0.75, 'cos': 0.0}, 6)
        w.add_histogram('hist/randn', T('hist_randn', 1000), 1)
        w.add_histogram('hist/mixed', T('hist_mixed', 255), 2)
        w.add_histogram('hist/int', torch.tensor(inputs['hist_int']), 3)
        w.add_histogram('hist/bins30', T('hist_randn', 1000), 4, bins=30)
        w.add_histogram('hist/maxbins', T('hist_randn', 1000), 5, max_bins=40)
        w.add_histogram('hist/edges', T('hist_randn', 1000), 6, bins=[-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])
        w.add_histogram('hist/constant', torch.full((7,), 3.0), 7, bins=5)
        w.add_histogram_raw('hist/raw', 0.0, 9.0, 10, 45.0, 285.0, [3.0, 6.0, 9.0], [4, 3, 3], 8)
        w.add_image('img/chw', T('img_chw', 3, 4, 5), 2)
        w.add_image('img/hwc_u8', T('img_hwc_u8', 4, 5, 1, dtype=torch.uint8), 2, dataformats='HWC')
        w.add_image('img/hw', T('img_hw', 6, 7), 2, dataformats='HW')
        w.add_image('img/rgba', T('img_rgba_u8', 4, 3, 2, dtype=torch.uint8), 2)
        w.add_images('imgs/nchw', T('imgs_nchw', 10, 1, 4, 5), 3)
        w.add_images('imgs/nhwc_u8', T('imgs_nhwc_u8', 3, 4, 5, 3, dtype=torch.uint8), 3, dataformats='NHWC')
        w.add_text('notes', 'hello **world** \u2014 \u00fcn\u00efcode', 4)
        w.add_hparams({'lr': 0.01, 'bs': 64, 'opt': 'adam', 'flag': True, 'skip': None},
                      {'hparam/acc': 0.9, 'hparam/loss': 0.1},
                      hparam_domain_discrete={'opt': ['adam', 'sgd'], 'bs': [32, 64]}, run_name='hp')
        w.close()
        p = SummaryWriter(log_dir=os.path.join(root, 'purge'), purge_step=5)
        p.add_scalar('after purge', 1.0, 5)
        p.close()
        decoded = read_tfevents.read_logdir(root)
        names = [f['file'] for run in decoded['runs'].values() for f in run]
    finally:
        shutil.rmtree(root)
    # wall times are the clock's, except the ones given to the calls
    for run in decoded['runs'].values():
        for f in run:
            for e in f['events']:
                if e.get('wall_time') not in (1234.5, 99.0):
                    e.pop('wall_time', None)
            del f['file']
    out = {
        'generator': 'test/ref/gen_tensorboard.py: torch %s SummaryWriter, numpy %s' % (torch.__version__, np.__version__),
        'filename_pattern': r'^events\.out\.tfevents\.\d{10}\.[^.]+(\.[^.]+)*\.\d+\.\d+$',
        'filenames_example': names[:2],
        'inputs': inputs,
        'runs': decoded['runs'],
    }
    with open(os.path.join(HERE, 'tensorboard.json'), 'w') as f:
        json.dump(out, f, sort_keys=True)
        f.write('\n')
    print('wrote test/ref/tensorboard.json: %d runs, %d records' % (len(decoded['runs']), decoded['records']))


if __name__ == '__main__':
    main()
