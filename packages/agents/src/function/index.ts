/** In-process resources: host functions behind the ResourceAgent port. */
export {
  type FunctionActionInput,
  type FunctionResourceHandlers,
  createFunctionResourceAgent,
} from './function-agent.js';
