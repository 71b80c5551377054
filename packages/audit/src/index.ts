export { onDecision, onSecurityEvent, type TimedEvent } from './on-decision.js'
