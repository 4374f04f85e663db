export { DetectorService, type DetectorLoadOptions, type DetectRequest, type DetectorStats } from './detector-service.js';
export { nms } from './nms.js';
export { iou } from '../geometry.js';
export { loadManifest, parseManifest, ModelManifestSchema, type ModelManifest, type LoadedManifest } from './manifest.js';
export { decodeCenterNet, decodeYoloV5, decodeYoloV8, type RawDetection, type DecodeOptions } from './decoders.js';
export { i420RegionToTensor, type InputSpec } from './preprocess.js';
