export { MotionDetector, type MotionConfig, type MotionResult } from './motion-detector.js';
