/** In-process resources: host functions behind the ResourceAgent port. */
export {
  createFunctionResourceAgent,
  type FunctionActionInput,
  type FunctionResourceHandlers,
} from './function-agent.js';
