/** Powerful features denied to every origin (`feature=()`) unless a site opts back in. */
export const DENIED_FEATURES = [
  'accelerometer', 'ambient-light-sensor', 'autoplay', 'battery', 'bluetooth', 'browsing-topics', 'camera',
  'display-capture', 'encrypted-media', 'fullscreen', 'gamepad', 'geolocation', 'gyroscope', 'hid',
  'identity-credentials-get', 'idle-detection', 'local-fonts', 'magnetometer', 'microphone', 'midi',
  'otp-credentials', 'payment', 'picture-in-picture', 'publickey-credentials-create',
  'publickey-credentials-get', 'screen-wake-lock', 'serial', 'speaker-selection', 'storage-access',
  'usb', 'web-share', 'window-management', 'xr-spatial-tracking',
] as const;

export const PERMISSIONS_POLICY = DENIED_FEATURES.map((f) => `${f}=()`).join(', ');
