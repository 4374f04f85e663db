#!/usr/bin/python3
"""Test oracle for a cut clip: container duration (GstPbutils Discoverer), the first demuxed buffer's
key-frame flag, and how many frames decode cleanly (a real decoder, not our own parser)."""
import json
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstPbutils", "1.0")
from gi.repository import Gst, GstPbutils  # noqa: E402

Gst.init(None)
path = sys.argv[1]
info = GstPbutils.Discoverer.new(20 * Gst.SECOND).discover_uri(Gst.filename_to_uri(path))
videos = info.get_video_streams()
result = {
    "durationS": info.get_duration() / Gst.SECOND,
    "container": info.get_stream_info().get_caps().to_string().split(",")[0],
    "video": videos[0].get_caps().to_string().split(",")[0] if videos else None,
}

pipe = Gst.parse_launch(f'filesrc location="{path}" ! parsebin name=p ! decodebin ! fakesink name=s sync=false')
firsts, decoded = [], [0]


def on_pad(_el, pad):
    def probe(_pad, pinfo):
        if not firsts:
            firsts.append(not pinfo.get_buffer().has_flags(Gst.BufferFlags.DELTA_UNIT))
        return Gst.PadProbeReturn.OK
    pad.add_probe(Gst.PadProbeType.BUFFER, probe)


pipe.get_by_name("p").connect("pad-added", on_pad)


def count(_pad, _info):
    decoded[0] += 1
    return Gst.PadProbeReturn.OK


pipe.get_by_name("s").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, count)
pipe.set_state(Gst.State.PLAYING)
msg = pipe.get_bus().timed_pop_filtered(60 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
pipe.set_state(Gst.State.NULL)
result["decodeError"] = msg.parse_error()[0].message if msg and msg.type == Gst.MessageType.ERROR else (None if msg else "timeout")
result["firstIsKeyframe"] = bool(firsts and firsts[0])
result["decodedFrames"] = decoded[0]
print(json.dumps(result))
